pragma solidity ^0.5.0;

contract Vault {
    address payable public keeper;

    constructor() public {
        keeper = msg.sender;
    }

    function() external payable {}

    function sweep(address payable to) public {
        require(tx.origin == keeper, "keeper only");
        to.transfer(address(this).balance);
    }
}
