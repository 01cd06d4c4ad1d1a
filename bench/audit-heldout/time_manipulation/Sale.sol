pragma solidity ^0.5.0;

contract Sale {
    uint256 public endsAt;
    address payable public seller;

    constructor(uint256 duration) public {
        seller = msg.sender;
        endsAt = now + duration;
    }

    function buy() external payable {
        require(now < endsAt); // VULN
    }

    function bonus() external view returns (bool) {
        return block.timestamp % 2 == 0; // VULN
    }
}
