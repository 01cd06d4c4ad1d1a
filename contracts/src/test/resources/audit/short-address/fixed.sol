pragma solidity ^0.4.24;

contract SimpleToken {
    mapping(address => uint256) public balanceOf;

    constructor() public {
        balanceOf[msg.sender] = 1000000;
    }

    /// Refuses calldata shorter than selector + two words, so a truncated address cannot shift the amount.
    modifier payloadSize(uint256 words) {
        require(msg.data.length >= words * 32 + 4);
        _;
    }

    function transfer(address to, uint256 amount) public payloadSize(2) returns (bool) {
        require(balanceOf[msg.sender] >= amount);
        balanceOf[msg.sender] -= amount;
        require(balanceOf[to] + amount >= balanceOf[to]);
        balanceOf[to] += amount;
        return true;
    }
}
